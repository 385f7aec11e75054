/*
 * fake_main.c -- airlock-fake: the airlock command line and MCP server with
 * the fake executor of fake_exec.h in place of AWS.  A test program only;
 * the airlock binary has no way to load it.
 */
#include "fake_exec.h"
#include "rt_cli.h"

int main(int argc, char **argv)
{
	static fake_exec f;
	fake_exec_from_env(&f);
	rt_plans_set_executor(fake_exec_fn, &f);
	return rt_cli_main(argc, argv);
}
