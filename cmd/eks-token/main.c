/* Placeholder front end, replaced by the eks-token implementation. */
#include <stdio.h>

int main(void);

int
main(void)
{
	fputs("eks-token: not built yet\n", stderr);
	return 1;
}
