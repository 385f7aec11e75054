/*
 * rt_json.h -- the two lookups every module that reads cJSON objects
 * needs: a member that must be a string, a member that must be an object.
 * Header-only (static inline): no module owns them.
 */
#ifndef RT_JSON_H
#define RT_JSON_H

#include <cjson/cJSON.h>

/* O's member K when it is a string, else NULL (also when O is NULL). */
static inline const char *rt_jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* O's member K when it is an object, else NULL. */
static inline const cJSON *rt_jobj(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsObject(v) ? v : NULL;
}

#endif
