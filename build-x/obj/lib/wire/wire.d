build-x/obj/lib/wire/wire.o: lib/wire/wire.c lib/wire/wire.h \
 build-x/gen/dx.pb-c.h lib/core/err.h lib/crypto/crypto.h \
 lib/core/media.h lib/core/names.h lib/policy/policy.h lib/core/glob.h \
 lib/core/names.h lib/core/utf8.h
lib/wire/wire.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/crypto.h:
lib/core/media.h:
lib/core/names.h:
lib/policy/policy.h:
lib/core/glob.h:
lib/core/names.h:
lib/core/utf8.h:
