/* rt_curl.c -- see rt_curl.h */
#define RT_CURL_IMPL
#include "rt_curl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "alc_err.h"

rt_curl_api rt_curl;

int rt_curl_load(char *err, size_t errlen)
{
	if (rt_curl.easy_init)
		return 0;
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot load libcurl (apt-get install libcurl4): %s",
		         dlerror());
		return AL_EUNSUPPORTED;
	}
	rt_curl_api a;
	memset(&a, 0, sizeof a);
	/* dlsym returns void *; POSIX guarantees the conversion to a function
	 * pointer works, C does not, hence the memcpy. */
#define SYM(field, name) do { \
		void *s_ = dlsym(h, name); \
		if (!s_) { \
			snprintf(err, errlen, "libcurl.so.4 lacks %s", name); \
			dlclose(h); \
			return AL_EUNSUPPORTED; \
		} \
		memcpy(&a.field, &s_, sizeof s_); \
	} while (0)
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_reset, "curl_easy_reset");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(free, "curl_free");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(url, "curl_url");
	SYM(url_cleanup, "curl_url_cleanup");
	SYM(url_get, "curl_url_get");
	SYM(url_set, "curl_url_set");
#undef SYM
	rt_curl = a; /* the handle stays open for the life of the process */
	return 0;
}
