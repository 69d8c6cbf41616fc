/* Runs a command and writes its own rusage (not its parent's) to a file:
 *     rusage_launcher OUTFILE CMD [ARGS...]
 * OUTFILE gets "wait_status maxrss_kib utime_s stime_s". Why: a child forked from the (larger)
 * Python harness inherits the harness's RSS as a floor of its ru_maxrss (Linux keeps the
 * high-water mark across exec); forked from this tiny process the floor is ~1 MB.
 * Built on demand by benchmarks/harness.py with `cc -O2`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUTFILE CMD [ARGS...]\n", argv[0]);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("wait4");
            return 2;
        }
    }
    FILE *f = fopen(argv[1], "w");
    if (f) {
        fprintf(f, "%d %ld %ld.%06ld %ld.%06ld\n", status, ru.ru_maxrss, (long)ru.ru_utime.tv_sec,
                (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
        fclose(f);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
