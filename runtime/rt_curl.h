/*
 * rt_curl.h -- libcurl, loaded on first use.
 *
 * Why: libcurl pulls in some 35 shared libraries (TLS, Kerberos, LDAP, ...)
 * whose loading and relocation cost more than airlock's whole start-up
 * budget (5 ms to the first tools/list reply) and several MiB of resident
 * memory, for a serve session that may never call AWS.  So the runtime
 * does not link libcurl; rt_http.c includes this header after
 * <curl/curl.h>, which turns its curl_* calls into calls through a table
 * that rt_curl_load() fills with dlopen/dlsym the first time a request is
 * made.  Only rt_http.c may include it.
 *
 * Owner: rt_curl.c.  The table is written once (under rt_http's
 * pthread_once) and read-only afterwards.
 */
#ifndef RT_CURL_H
#define RT_CURL_H

#include <curl/curl.h>

typedef struct rt_curl_api {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
} rt_curl_api;

extern rt_curl_api rt_curl;

/* Load libcurl (libcurl.so.4).  Returns 0, or AL_EUNSUPPORTED with the
 * reason in ERR ("libcurl.so.4: cannot open shared object file..."). */
int rt_curl_load(char *err, size_t errlen);

#ifndef RT_CURL_IMPL
/* <curl/curl.h> may define these two as type-checking macros. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init rt_curl.global_init
#define curl_easy_init rt_curl.easy_init
#define curl_easy_cleanup rt_curl.easy_cleanup
#define curl_easy_reset rt_curl.easy_reset
#define curl_easy_setopt rt_curl.easy_setopt
#define curl_easy_perform rt_curl.easy_perform
#define curl_easy_getinfo rt_curl.easy_getinfo
#define curl_easy_strerror rt_curl.easy_strerror
#define curl_free rt_curl.free
#define curl_slist_append rt_curl.slist_append
#define curl_slist_free_all rt_curl.slist_free_all
#define curl_url rt_curl.url
#define curl_url_cleanup rt_curl.url_cleanup
#define curl_url_get rt_curl.url_get
#define curl_url_set rt_curl.url_set
#endif

#endif
