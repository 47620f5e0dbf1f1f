build-x/obj/lib/crypto/signed.o: lib/crypto/signed.c lib/crypto/signed.h \
 lib/crypto/crypto.h build-x/gen/dx.pb-c.h lib/core/err.h lib/wire/wire.h
lib/crypto/signed.h:
lib/crypto/crypto.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/wire/wire.h:
