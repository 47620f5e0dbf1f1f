build-x/obj/lib/policy/policy.o: lib/policy/policy.c lib/policy/policy.h \
 lib/crypto/crypto.h lib/core/glob.h lib/core/names.h lib/core/names.h \
 lib/core/err.h lib/core/events.h lib/core/dxtime.h \
 lib/policy/policy_index.h
lib/policy/policy.h:
lib/crypto/crypto.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/names.h:
lib/core/err.h:
lib/core/events.h:
lib/core/dxtime.h:
lib/policy/policy_index.h:
