/*
 * `eks-kubeconfig convert`: its own flag table and front end (convert.c).
 */
#ifndef EKS_KUBECONFIG_CONVERT_H
#define EKS_KUBECONFIG_CONVERT_H

/* argv[0] is "convert"; returns the exit code. */
int convert_main(int argc, char **argv);

/* The library's report lines to stdout, its notes to the logger (main.c). */
void tool_out_stdout(void *arg, const char *text);
void tool_notify_stderr(void *arg, int level, const char *msg);

#endif
