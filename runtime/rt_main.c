/*
 * rt_main.c -- the airlock runtime binary; everything is in rt_cli.c.
 */
#include "rt_cli.h"

int main(int argc, char **argv)
{
	return rt_cli_main(argc, argv);
}
