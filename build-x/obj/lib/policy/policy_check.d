build-x/obj/lib/policy/policy_check.o: lib/policy/policy_check.c \
 lib/policy/policy_check.h lib/core/diag.h lib/policy/policy.h \
 lib/crypto/crypto.h lib/core/glob.h lib/core/names.h lib/core/names.h \
 lib/core/dxtime.h
lib/policy/policy_check.h:
lib/core/diag.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/dxtime.h:
