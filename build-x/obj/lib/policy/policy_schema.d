build-x/obj/lib/policy/policy_schema.o: lib/policy/policy_schema.c \
 lib/policy/policy_schema.h lib/core/buf.h lib/crypto/crypto.h \
 lib/core/diag.h lib/policy/policy.h lib/core/glob.h lib/core/names.h \
 lib/core/names.h lib/policy/policy_check.h lib/policy/ytree.h \
 lib/core/err.h lib/core/dxtime.h lib/crypto/keys.h lib/crypto/crypto.h
lib/policy/policy_schema.h:
lib/core/buf.h:
lib/crypto/crypto.h:
lib/core/diag.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/policy/policy_check.h:
lib/policy/ytree.h:
lib/core/err.h:
lib/core/dxtime.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
