#!/usr/bin/env bash
# eks-token when STS refuses AssumeRole: the AWS error code and message reach
# the user once, with the role named once (no "assuming role X: assuming
# role X: ..."), exit 1, nothing on stdout, no secret in the message.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/creds.sh"
test_env

cat >"$T/denied.xml" <<'XML'
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code>
  <Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole</Message></Error>
  <RequestId>req-0001</RequestId>
</ErrorResponse>
XML
start_scripted sts "403:$T/denied.xml:text/xml"
export AWS_ENDPOINT_URL_STS=$sts_URL

role=arn:aws:iam::123456789012:role/eks-admin
once() {  # haystack needle message
	local n
	n=$(grep -o -- "$2" <<<"$1" | wc -l)
	assert_eq 1 "$n" "$3"
}

# --role-arn
write_static_profile base AKIASTSERRORS0000001 'stsErrSecret/+=XYZ'
run_token --profile base --role-arn "$role" --no-cache
assert_eq 1 "$RC" "--role-arn refused: exit 1"
assert_eq "" "$OUT" "--role-arn refused: nothing on stdout"
assert_contains "$ERR" "AccessDenied: User: arn:aws:iam::123456789012:user/dev is not authorized" \
	"--role-arn refused: the AWS code and message"
assert_contains "$ERR" "request id req-0001" "--role-arn refused: the request id"
once "$ERR" "assuming role $role" "--role-arn refused: the role is named once"
assert_not_contains "$ERR" "stsErrSecret" "--role-arn refused: no secret"

# an assume-role profile
cat >"$AWS_CONFIG_FILE" <<CFG
[profile dev]
role_arn = $role
source_profile = base
CFG
run_token --profile dev --no-cache
assert_eq 1 "$RC" "profile role refused: exit 1"
assert_contains "$ERR" "AccessDenied: User:" "profile role refused: the AWS code and message"
assert_contains "$ERR" "profile 'dev'" "profile role refused: the profile is named"
once "$ERR" "assuming role $role" "profile role refused: the role is named once"
finish
