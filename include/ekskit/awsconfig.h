/*
 * The AWS shared config and credentials files (~/.aws/config,
 * ~/.aws/credentials), parsed the way the AWS CLI accepts them:
 * `[profile x]` in config vs `[x]` in credentials, `[default]`,
 * `[sso-session x]`, `[services x]`, comments (# and ;), indented
 * sub-sections (`s3 =` followed by indented `key = value` lines).
 * AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE and
 * AWS_DEFAULT_PROFILE are honoured.  A malformed file is an error naming
 * the file and line.  Missing files are not an error (empty config).
 */
#ifndef EKSKIT_AWSCONFIG_H
#define EKSKIT_AWSCONFIG_H

#include <stddef.h>

#include "ekskit/error.h"

struct awsconfig;  /* opaque */

/* Load from the environment's paths (defaults ~/.aws/config, ~/.aws/credentials). */
int awsconfig_load(struct awsconfig **out, struct ekskit_err *err);
/* Load given paths (either may be NULL = skip).  *out freed with awsconfig_free. */
int awsconfig_load_files(const char *config_path, const char *credentials_path,
    struct awsconfig **out, struct ekskit_err *err);
/* Parse an in-memory file (for tests and fuzzing).  is_credentials selects [x] vs [profile x] rules. */
int awsconfig_parse_buffer(struct awsconfig *cfg, const char *name,
    const char *data, size_t len, int is_credentials, struct ekskit_err *err);
struct awsconfig *awsconfig_new(void);
void awsconfig_free(struct awsconfig *cfg);

/* The selected profile: explicit (flag) > AWS_PROFILE > AWS_DEFAULT_PROFILE > "default". Borrowed. */
const char *awsconfig_selected_profile(const char *flag_profile);

/* 1 if the profile exists in either file. */
int awsconfig_has_profile(const struct awsconfig *cfg, const char *profile);

/*
 * A selected profile must exist, unless it is "default" (or NULL): 0, or
 * EKSKIT_ERR_CONFIG with a message naming both files and the fix.
 */
int awsconfig_require_profile(const struct awsconfig *cfg, const char *profile,
    struct ekskit_err *err);

/*
 * A profile setting; credentials file wins for the same key (as the CLI).
 * Borrowed pointer valid until awsconfig_free; NULL when unset.
 */
const char *awsconfig_get(const struct awsconfig *cfg, const char *profile,
    const char *key);
/* A sub-section setting: e.g. ("sts", "endpoint_url") under `sts =`. */
const char *awsconfig_get_sub(const struct awsconfig *cfg, const char *profile,
    const char *section, const char *key);
/* A key of another section kind: kind "sso-session" or "services". */
const char *awsconfig_section_get(const struct awsconfig *cfg, const char *kind,
    const char *name, const char *key);
const char *awsconfig_section_get_sub(const struct awsconfig *cfg,
    const char *kind, const char *name, const char *sub, const char *key);

/* Profile names (both files, de-duplicated), NULL-terminated; free with ek_strv_free (buf.h). */
char **awsconfig_profile_names(const struct awsconfig *cfg);

/* 1 if a section of that kind ("profile", "sso-session", "services") and name exists. */
int awsconfig_has_section(const struct awsconfig *cfg, const char *kind,
    const char *name);

/* The configured file paths (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or
 * the ~/.aws defaults), unexpanded.  Borrowed (environment or static). */
const char *awsconfig_config_path(void);
const char *awsconfig_credentials_path(void);
/* The expanded name a loaded file was read from, for messages ("" if none).  Borrowed. */
const char *awsconfig_file_name(const struct awsconfig *cfg, int is_credentials);
/* Expand $VAR, ${VAR} and a leading ~ or ~user.  malloc'd (caller frees); NULL on ENOMEM. */
char *awsconfig_expand_path(const char *path);

#endif /* EKSKIT_AWSCONFIG_H */
