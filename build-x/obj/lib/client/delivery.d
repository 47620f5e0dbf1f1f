build-x/obj/lib/client/delivery.o: lib/client/delivery.c \
 lib/client/delivery.h lib/client/client.h build-x/gen/dx.pb-c.h \
 lib/core/err.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 lib/crypto/crypto.h lib/core/dxtime.h lib/crypto/signed.h \
 lib/wire/wire.h
lib/client/delivery.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/crypto/crypto.h:
lib/core/dxtime.h:
lib/crypto/signed.h:
lib/wire/wire.h:
