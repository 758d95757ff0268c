/*
 * timeit [-k SECONDS] COMMAND [ARG...]: run COMMAND, wait for it, and print
 * on standard output one line "ELAPSED_MS STATUS": the wall time from just
 * before the fork to the child's exit on CLOCK_MONOTONIC, in milliseconds
 * with three decimals, and the child's exit status (128+N if signal N ended
 * it). With -k, a child still running after SECONDS gets SIGKILL (status
 * 137). busybox's date has no %N, hence this helper (built statically by
 * run-nested, used by the boot-time scenario). Exit status: 0, 1 if COMMAND
 * could not be started, 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t expired;

static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	double start, elapsed;
	int wstatus, status, first = 1;
	unsigned long limit = 0;
	char *end;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-k") == 0) {
		limit = strtoul(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || limit == 0) {
			fprintf(stderr, "timeit: bad -k '%s'\n", argv[2]);
			return 2;
		}
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: timeit [-k SECONDS] COMMAND [ARG...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	start = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[first], argv + first);
		perror("timeit: exec");
		_exit(127);
	}
	if (limit)
		alarm(limit);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			perror("timeit: waitpid");
			return 1;
		}
		if (expired) {
			fprintf(stderr, "timeit: %s still running after %lus, killed\n",
				argv[first], limit);
			kill(pid, SIGKILL);
			expired = 0;
		}
	}
	elapsed = now_ms() - start;
	status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	printf("%.3f %d\n", elapsed, status);
	return 0;
}
