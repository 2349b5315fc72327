#!/usr/bin/env bash
# Regenerates test/fixtures/pools/*.json: the output of the real `aws cognito-idp describe-user-pool`
# for one pool per shape that `local start --source-pool-config/--target-pool-config` must honour.
# The pools are created with the aws CLI against moto_server (an independent Cognito implementation);
# nothing here talks to AWS. Usage: scripts/make-pool-fixtures.sh   (needs moto_server and aws on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/pools
mkdir -p "$out"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill -- -$moto 2>/dev/null || kill $moto' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.2; done

export AWS_ACCESS_KEY_ID=fixture AWS_SECRET_ACCESS_KEY=fixture AWS_DEFAULT_REGION=us-east-1
idp() { aws --endpoint-url "http://127.0.0.1:$port" cognito-idp "$@"; }
sms='SnsCallerArn=arn:aws:iam::123456789012:role/service-role/cognito-sms,ExternalId=sms-external-id,SnsRegion=us-east-1'

# pool NAME FILE ARGS... : creates the pool, then writes describe-user-pool exactly as the CLI prints it.
pool() {
  local name=$1 file=$2
  shift 2
  local id
  id=$(idp create-user-pool --pool-name "$name" "$@" --query UserPool.Id --output text)
  idp describe-user-pool --user-pool-id "$id" >"$out/$file"
  echo "$out/$file"
}

pool email-username email-username.json \
  --username-attributes email --username-configuration CaseSensitive=false \
  --auto-verified-attributes email \
  --account-recovery-setting 'RecoveryMechanisms=[{Name=verified_email,Priority=1}]'

pool alias alias.json \
  --alias-attributes email phone_number preferred_username --username-configuration CaseSensitive=true \
  --auto-verified-attributes email phone_number --sms-configuration "$sms"

pool phone-username phone-username.json \
  --username-attributes phone_number --username-configuration CaseSensitive=false \
  --auto-verified-attributes phone_number --mfa-configuration ON --sms-configuration "$sms" \
  --account-recovery-setting 'RecoveryMechanisms=[{Name=verified_phone_number,Priority=1}]'

pool mfa-optional mfa-optional.json \
  --alias-attributes email --username-configuration CaseSensitive=false \
  --auto-verified-attributes email --mfa-configuration OPTIONAL --sms-configuration "$sms" \
  --sms-authentication-message 'Your code is {####}'

pool mfa-on mfa-on.json \
  --alias-attributes email phone_number --username-configuration CaseSensitive=false \
  --auto-verified-attributes email phone_number --mfa-configuration ON --sms-configuration "$sms" \
  --schema 'Name=phone_number,AttributeDataType=String,Mutable=true,Required=true'

pool custom-attributes custom-attributes.json \
  --username-attributes email --username-configuration CaseSensitive=false --auto-verified-attributes email \
  --schema \
  'Name=tenant_id,AttributeDataType=String,Mutable=false,StringAttributeConstraints={MinLength=1,MaxLength=36}' \
  'Name=plan,AttributeDataType=String,Mutable=true' \
  'Name=seats,AttributeDataType=Number,Mutable=true,NumberAttributeConstraints={MinValue=1,MaxValue=500}' \
  'Name=beta,AttributeDataType=Boolean,Mutable=true' \
  'Name=signed_up_at,AttributeDataType=DateTime,Mutable=true' \
  'Name=internal_score,AttributeDataType=Number,DeveloperOnlyAttribute=true,Mutable=true' \
  'Name=name,AttributeDataType=String,Mutable=true,Required=true' \
  'Name=birthdate,AttributeDataType=String,Mutable=true,Required=true'

pool password-policy password-policy.json \
  --alias-attributes email --auto-verified-attributes email \
  --policies 'PasswordPolicy={MinimumLength=14,RequireUppercase=true,RequireLowercase=true,RequireNumbers=true,RequireSymbols=true,TemporaryPasswordValidityDays=3}' \
  --admin-create-user-config AllowAdminCreateUserOnly=true
