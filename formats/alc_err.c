/* alc_err.c -- see alc_err.h */
#include "alc_err.h"

#include <stddef.h>

struct al_errdesc { int code; const char *name, *msg; };

static const struct al_errdesc al_errtab[] = {
#define AL_ROW_(name, code, msg) { code, #name, msg },
	AL_ERRORS(AL_ROW_)
#undef AL_ROW_
};

static const struct al_errdesc *al_find(int code)
{
	for (size_t i = 0; i < sizeof al_errtab / sizeof al_errtab[0]; i++)
		if (al_errtab[i].code == code)
			return &al_errtab[i];
	return NULL;
}

const char *al_strerror(int code)
{
	const struct al_errdesc *d = al_find(code);
	return d ? d->msg : "unknown error";
}

const char *al_errname(int code)
{
	const struct al_errdesc *d = al_find(code);
	return d ? d->name : "AL_E?";
}
