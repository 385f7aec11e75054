/*
 * rt_cfn_tpl.c -- what rt_cfn.c reads in a CloudFormation template: the
 * DeletionPolicy of each resource (rt_cfn.h: rt_cfn_deletion_policies), so
 * that a DeleteStack diff says which resources are kept.
 *
 * A template is outside input (GetTemplate's TemplateBody, as the stack's
 * author wrote it): JSON is read with cJSON, anything else as YAML with
 * libyaml's document API, which never expands aliases (a node is stored
 * once, references point at it), so memory stays proportional to the text.
 * Only three levels are walked (the root mapping, Resources, each resource)
 * and the text is at most RT_CFN_TEMPLATE_MAX bytes.  The fuzz target
 * fuzz_cfn_template drives it.
 */
#include <string.h>

#include <yaml.h>

#include "rt_cfn.h"

static int add_policy(cJSON *out, const char *id, const char *policy)
{
	if (cJSON_GetObjectItemCaseSensitive(out, id))
		return 0; /* a key twice: the first one stands */
	return cJSON_AddStringToObject(out, id, policy) ? 0 : -1;
}

static cJSON *from_json(const cJSON *t)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *r, *res = cJSON_GetObjectItemCaseSensitive(t, "Resources");
	if (!cJSON_IsObject(res))
		res = NULL;
	cJSON_ArrayForEach(r, res) {
		if (!out)
			break;
		const cJSON *dp = cJSON_GetObjectItemCaseSensitive(r, "DeletionPolicy");
		if (!r->string || !dp)
			continue;
		/* a condition (Fn::If) decides it when the stack is made */
		const char *v = cJSON_IsString(dp) && dp->valuestring ? dp->valuestring : "dynamic";
		if (add_policy(out, r->string, v) != 0) {
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

static yaml_node_t *node(yaml_document_t *d, int i)
{
	return yaml_document_get_node(d, i);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of KEY in mapping M (first match), or NULL. */
static yaml_node_t *lookup(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		if (k && strcmp(k, key) == 0)
			return node(d, p->value);
	}
	return NULL;
}

static cJSON *from_yaml(const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	cJSON *out = NULL;
	if (yaml_parser_load(&parser, &doc)) {
		yaml_node_t *res = lookup(&doc, yaml_document_get_root_node(&doc), "Resources");
		out = res && res->type == YAML_MAPPING_NODE ? cJSON_CreateObject() : NULL;
		for (yaml_node_pair_t *p = out ? res->data.mapping.pairs.start : NULL;
		     p && p < res->data.mapping.pairs.top; p++) {
			const char *id = scalar(node(&doc, p->key));
			yaml_node_t *dp = lookup(&doc, node(&doc, p->value), "DeletionPolicy");
			if (!id || !dp)
				continue;
			/* a tagged scalar (!If ...) or a sequence is decided later */
			const char *v = scalar(dp);
			if (!v || (dp->tag && strcmp((const char *)dp->tag, YAML_STR_TAG) != 0))
				v = "dynamic";
			if (add_policy(out, id, v) != 0) {
				cJSON_Delete(out);
				out = NULL;
				break;
			}
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return out;
}

cJSON *rt_cfn_deletion_policies(const char *text, size_t len)
{
	if (!text || len > RT_CFN_TEMPLATE_MAX || memchr(text, '\0', len))
		return NULL;
	cJSON *t = cJSON_ParseWithLength(text, len);
	if (t) {
		cJSON *out = cJSON_IsObject(t) ? from_json(t) : NULL;
		cJSON_Delete(t);
		return out;
	}
	return from_yaml(text, len);
}
