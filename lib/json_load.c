/* jansson parsing without echoing the input: see lib/json_load.h. */
#include <openssl/crypto.h>

#include "json_load.h"

/* What went wrong, in words that quote nothing of the input. */
static const char *
problem(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input: return "cut short";
	case json_error_end_of_input_expected: return "text after the end";
	case json_error_null_character: return "\\u0000 is not allowed";
	case json_error_null_byte_in_key: return "NUL byte in a key";
	case json_error_duplicate_key: return "duplicate key";
	case json_error_numeric_overflow: return "number too large";
	default: return "syntax error";
	}
}

json_t *
json_load_private(const char *buf, size_t len, size_t flags, const char *what,
    struct ekskit_err *err)
{
	json_error_t jerr;
	json_t *root;

	root = json_loadb(buf ? buf : "", buf ? len : 0, flags, &jerr);
	if (root == NULL)
		ekskit_err_set(err, EKSKIT_ERR_INVALID,
		    "%s is not valid JSON (%s at line %d, column %d)", what,
		    problem(&jerr), jerr.line, jerr.column);
	/* the text quotes the input: do not leave it on the stack either */
	OPENSSL_cleanse(&jerr, sizeof(jerr));
	return root;
}
