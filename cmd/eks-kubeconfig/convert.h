/*
 * `eks-kubeconfig convert`: its own flag table and front end (convert.c).
 */
#ifndef EKS_KUBECONFIG_CONVERT_H
#define EKS_KUBECONFIG_CONVERT_H

/* argv[0] is "convert"; returns the exit code. */
int convert_main(int argc, char **argv);

#endif
