/* test_source_keys.c - the table of [[file_sources]] keys (config.h) against
 * the other places that list them: python/ducksite/config.py's
 * FileSourceConfig (names and defaults), docs/configuration.md's table, the
 * JSON handed to plugins, and the parser (every key has its own branch).
 * A key added on one side only fails here. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "plugin/plugin.h"
#include "testutil.h"
#include "util/fs.h"

#include <jansson.h>

static char *source_file(const char *rel)
{
    const char *dir = getenv("DS_SOURCE_DIR");
    char *path = ds_path_join(dir && *dir ? dir : DS_SOURCE_DIR, rel);
    size_t len;
    ds_err err;
    char *text = ds_read_file(path, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

static const ds_source_key *table_key(const char *name)
{
    for (size_t i = 0; i < ds_n_source_keys; i++)
        if (strcmp(ds_source_keys[i].name, name) == 0)
            return &ds_source_keys[i];
    return NULL;
}

/* A list of names found in a file, each with the text that follows it. */
typedef struct {
    char *names[64];
    char *rest[64];
    size_t n;
} found_keys;

static void found_free(found_keys *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->rest[i]);
    }
}

/* Every name is in the table and every table key is among the names. */
static void expect_same_keys(const found_keys *f, const char *where)
{
    for (size_t i = 0; i < f->n; i++)
        cr_expect_not_null(table_key(f->names[i]),
                           "%s lists '%s', which is not in ds_source_keys (src/config/config.c)",
                           where, f->names[i]);
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        bool seen = false;
        for (size_t j = 0; j < f->n; j++)
            seen = seen || strcmp(f->names[j], ds_source_keys[i].name) == 0;
        cr_expect(seen, "%s lacks '%s' of ds_source_keys", where, ds_source_keys[i].name);
    }
    cr_expect_eq(f->n, ds_n_source_keys, "%s lists %zu keys, the table %zu", where, f->n,
                 ds_n_source_keys);
}

/* The fields of `class FileSourceConfig`: lines "    name: type = default"
 * up to its first method. */
static void python_fields(found_keys *f)
{
    char *text = source_file("python/ducksite/config.py");
    char *p = strstr(text, "\nclass FileSourceConfig");
    cr_assert_not_null(p, "python/ducksite/config.py has no class FileSourceConfig");
    p = strchr(p + 1, '\n');
    memset(f, 0, sizeof *f);
    for (; p && *p; p = strchr(p, '\n')) {
        p++;
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len && p[0] != ' ')
            break; /* the next top-level statement */
        if (strncmp(p, "    @", 5) == 0 || strncmp(p, "    def ", 8) == 0)
            break;
        size_t n = 4;
        if (strncmp(p, "    ", 4) != 0 || !(p[4] == '_' || (p[4] >= 'a' && p[4] <= 'z')))
            continue;
        while (n < len &&
               (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9')))
            n++;
        if (n >= len || p[n] != ':')
            continue;
        const char *eq = memchr(p, '=', len);
        cr_assert_lt(f->n, DS_ARRAY_LEN(f->names));
        f->names[f->n] = ds_strndup(p + 4, n - 4);
        f->rest[f->n] = eq ? ds_strndup(eq + 2, len - (size_t)(eq + 2 - p)) : ds_strdup("");
        f->n++;
    }
    free(text);
}

/* The key column of the table under "## `[[file_sources]]`". */
static void docs_keys(found_keys *f)
{
    char *text = source_file("docs/configuration.md");
    char *p = strstr(text, "\n## `[[file_sources]]`\n");
    cr_assert_not_null(p, "docs/configuration.md has no [[file_sources]] section");
    p = strchr(p + 1, '\n');
    memset(f, 0, sizeof *f);
    for (; p && *p; p = strchr(p, '\n')) {
        p++;
        if (*p == '#')
            break; /* the next section (### `time_window` lists its own keys) */
        if (strncmp(p, "| `", 3) != 0)
            continue;
        const char *close = strchr(p + 3, '`');
        cr_assert_not_null(close);
        cr_assert_lt(f->n, DS_ARRAY_LEN(f->names));
        f->names[f->n] = ds_strndup(p + 3, (size_t)(close - p - 3));
        f->rest[f->n] = ds_strdup("");
        f->n++;
    }
    free(text);
}

Test(source_keys, python_file_source_config_has_the_same_keys)
{
    found_keys f;
    python_fields(&f);
    expect_same_keys(&f, "FileSourceConfig (python/ducksite/config.py)");
    found_free(&f);
}

Test(source_keys, python_defaults_are_the_table_defaults)
{
    found_keys f;
    python_fields(&f);
    for (size_t i = 0; i < f.n; i++) {
        const ds_source_key *k = table_key(f.names[i]);
        if (!k)
            continue; /* reported by the test above */
        char *want;
        if (k->type == DS_SKEY_SECONDS)
            want = ds_asprintf("%.1f", k->default_num);
        else if (k->type == DS_SKEY_CHOICE)
            want = ds_asprintf("\"%s\"", k->choices[0]);
        else if (k->default_str)
            want = ds_asprintf("\"%s\"", k->default_str);
        else
            want = ds_strdup("None");
        cr_expect_str_eq(f.rest[i], want, "FileSourceConfig.%s defaults to %s, the table to %s",
                         f.names[i], f.rest[i], want);
        free(want);
    }
    found_free(&f);
}

Test(source_keys, docs_configuration_has_the_same_keys)
{
    found_keys f;
    docs_keys(&f);
    expect_same_keys(&f, "docs/configuration.md ([[file_sources]] table)");
    found_free(&f);
}

Test(source_keys, every_key_has_a_doc_line_and_choices)
{
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        const ds_source_key *k = &ds_source_keys[i];
        cr_expect(k->doc && *k->doc, "%s has no doc line", k->name);
        cr_expect_eq(k->type == DS_SKEY_CHOICE, k->n_choices > 0, "%s", k->name);
    }
}

/* Every key is parsed by its own branch: a value of the wrong type is
 * refused with the key's own path, never accepted by another key's parser.
 * An array is the wrong type for every key but template_values and the
 * hierarchy keys, which take one: a string is wrong there. */
Test(source_keys, every_key_refuses_a_wrong_type_under_its_own_name)
{
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        const char *name = ds_source_keys[i].name;
        bool list = ds_source_keys[i].type == DS_SKEY_SEEDS ||
                    ds_source_keys[i].type == DS_SKEY_LEVELS;
        char *text = ds_asprintf("[[file_sources]]\n%s = %s\n", name, list ? "\"x\"" : "[1]");
        ds_config cfg;
        ds_err err;
        cr_assert_eq(ds_config_parse(text, strlen(text), "/proj", "ducksite.toml", &cfg, &err), -1,
                     "%s = [1] was accepted", name);
        char *want = ds_asprintf("ducksite.toml:2:%zu: file_sources[0].%s: expected ",
                                 strlen(name) + 4, name);
        cr_expect(strstr(err.msg, want) == err.msg &&
                      strstr(err.msg, list ? "found a string" : "found an array"),
                  "%s: %s", name, err.msg);
        free(want);
        free(text);
    }
}

/* Plugins are handed every key, absent ones as their default or null. */
Test(source_keys, plugins_are_handed_every_key)
{
    const char *text = "[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(text, strlen(text), "/proj", "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    char *json = ds_plugin_config_json(&cfg, &cfg.sources[0], NULL);
    json_t *doc = json_loads(json, 0, NULL);
    cr_assert_not_null(doc, "%s", json);
    json_t *fs =
        json_array_get(json_object_get(json_object_get(doc, "project"), "file_sources"), 0);
    cr_assert_eq(json_object_size(fs), ds_n_source_keys, "%s", json);
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        const ds_source_key *k = &ds_source_keys[i];
        json_t *v = json_object_get(fs, k->name);
        cr_assert_not_null(v, "no %s in %s", k->name, json);
        if (k->type == DS_SKEY_CHOICE)
            cr_expect_str_eq(json_string_value(v), k->choices[0], "%s", k->name);
        else if (k->type == DS_SKEY_SECONDS)
            cr_expect_float_eq(json_real_value(v), k->default_num, 1e-9, "%s", k->name);
        else if (k->default_str)
            cr_expect_str_eq(json_string_value(v), k->default_str, "%s", k->name);
    }
    json_decref(doc);
    free(json);
    ds_config_free(&cfg);
}
