build-x/obj/lib/policy/policy_test.o: lib/policy/policy_test.c \
 lib/policy/policy_test.h lib/core/diag.h lib/policy/policy.h \
 lib/crypto/crypto.h lib/core/glob.h lib/core/names.h lib/core/names.h \
 lib/core/dxtime.h lib/core/err.h lib/policy/ytree.h
lib/policy/policy_test.h:
lib/core/diag.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/dxtime.h:
lib/core/err.h:
lib/policy/ytree.h:
