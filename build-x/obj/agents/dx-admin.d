build-x/obj/agents/dx-admin.o: agents/dx-admin.c agents/admin.h \
 lib/client/cli.h lib/client/client.h build-x/gen/dx.pb-c.h \
 lib/core/err.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 lib/core/dxtime.h lib/core/encode.h lib/core/fileio.h \
 lib/policy/policy.h lib/crypto/crypto.h lib/core/glob.h lib/core/names.h \
 lib/client/transfer.h lib/policy/policy_check.h lib/core/diag.h \
 lib/policy/policy.h lib/policy/policy_load.h lib/policy/policy_test.h \
 lib/core/utf8.h lib/core/version.h lib/wire/wire.h
agents/admin.h:
lib/client/cli.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/fileio.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/client/transfer.h:
lib/policy/policy_check.h:
lib/core/diag.h:
lib/policy/policy.h:
lib/policy/policy_load.h:
lib/policy/policy_test.h:
lib/core/utf8.h:
lib/core/version.h:
lib/wire/wire.h:
