build-x/obj/lib/policy/policy_load.o: lib/policy/policy_load.c \
 lib/policy/policy_load.h lib/core/diag.h lib/policy/policy.h \
 lib/crypto/crypto.h lib/core/glob.h lib/core/names.h lib/core/names.h \
 lib/core/dxtime.h lib/core/fileio.h lib/policy/policy_check.h \
 lib/policy/policy_schema.h lib/core/buf.h lib/policy/ytree.h \
 lib/core/err.h
lib/policy/policy_load.h:
lib/core/diag.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/dxtime.h:
lib/core/fileio.h:
lib/policy/policy_check.h:
lib/policy/policy_schema.h:
lib/core/buf.h:
lib/policy/ytree.h:
lib/core/err.h:
