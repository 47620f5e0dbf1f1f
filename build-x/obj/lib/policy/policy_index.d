build-x/obj/lib/policy/policy_index.o: lib/policy/policy_index.c \
 lib/policy/policy_index.h lib/policy/policy.h lib/crypto/crypto.h \
 lib/core/glob.h lib/core/names.h lib/core/names.h lib/core/err.h
lib/policy/policy_index.h:
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/err.h:
