/* test_forms_submit.c - what a submission's values become in SQL and how
 * an image's type is told (src/forms/submit.c); the HTTP side is
 * tests/server/test_forms.py. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "forms/submit.h"
#include "server/api.h"

static char *lit(const char *json)
{
    json_error_t e;
    json_t *v = json_loads(json, JSON_DECODE_ANY, &e);
    cr_assert_not_null(v, "%s", json);
    char *out = ds_form_literal(v);
    json_decref(v);
    return out;
}

Test(forms_submit, literals)
{
    const char *cases[][2] = {
        {"\"O'Brien\"", "('O''Brien')"},
        {"\"x'); DROP TABLE t; --\"", "('x''); DROP TABLE t; --')"},
        {"\"\\\\'\"", "('\\''')"},
        {"42", "(42)"},
        {"-5", "(-5)"},
        {"1.5", "(1.5::DOUBLE)"},
        {"true", "(TRUE)"},
        {"false", "(FALSE)"},
        {"null", "(NULL)"},
        {"[\"a\", 1, null]", "(['a', 1, NULL])"},
        {"[]", "([])"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = lit(cases[i][0]);
        cr_assert_str_eq(got, cases[i][1], "%s", cases[i][0]);
        free(got);
    }
    cr_assert_null(lit("{\"a\": 1}"));
    cr_assert_null(lit("[[1]]"));
    cr_assert_null(lit("[{}]"));
}

Test(forms_submit, image_types)
{
    cr_assert_str_eq(ds_form_image_type((const unsigned char *)"\x89PNG\r\n\x1a\n..", 10), "png");
    cr_assert_str_eq(ds_form_image_type((const unsigned char *)"\xFF\xD8\xFF\xE0", 4), "jpg");
    cr_assert_str_eq(ds_form_image_type((const unsigned char *)"GIF87a", 6), "gif");
    cr_assert_str_eq(ds_form_image_type((const unsigned char *)"GIF89a", 6), "gif");
    cr_assert_str_eq(ds_form_image_type((const unsigned char *)"RIFF\0\0\0\0WEBPVP8 ", 16),
                     "webp");
    cr_assert_null(ds_form_image_type((const unsigned char *)"RIFF\0\0\0\0WAVE", 12));
    cr_assert_null(ds_form_image_type((const unsigned char *)"<svg>", 5));
    cr_assert_null(ds_form_image_type((const unsigned char *)"\x89PN", 3));
    cr_assert_null(ds_form_image_type((const unsigned char *)"", 0));
}

Test(forms_submit, body_kinds)
{
    cr_assert_eq(ds_api_body_kind("application/json"), DS_API_BODY_JSON);
    cr_assert_eq(ds_api_body_kind("Application/JSON; charset=utf-8"), DS_API_BODY_JSON);
    cr_assert_eq(ds_api_body_kind("multipart/form-data; boundary=x"), DS_API_BODY_MULTIPART);
    cr_assert_eq(ds_api_body_kind("application/jsonx"), DS_API_BODY_OTHER);
    cr_assert_eq(ds_api_body_kind("text/plain"), DS_API_BODY_OTHER);
    cr_assert_eq(ds_api_body_kind("application/x-www-form-urlencoded"), DS_API_BODY_OTHER);
    cr_assert_eq(ds_api_body_kind(NULL), DS_API_BODY_OTHER);
    cr_assert(ds_api_path("/api"));
    cr_assert(ds_api_path("/api/forms/submit"));
    cr_assert(!ds_api_path("/apis"));
    cr_assert(!ds_api_path("/index.html"));
}

Test(forms_submit, errors_are_json)
{
    ds_form_reply r = {0};
    ds_form_reply_error(&r, 400, "bad \"%s\"\n", "x");
    cr_assert_eq(r.status, 400);
    cr_assert_str_eq(r.body, "{\"error\": \"bad \\\"x\\\"\\n\"}");
    ds_form_reply_free(&r);
}
