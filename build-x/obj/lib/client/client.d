build-x/obj/lib/client/client.o: lib/client/client.c lib/client/client.h \
 build-x/gen/dx.pb-c.h lib/core/err.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/core/dxtime.h lib/wire/wire.h
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/core/dxtime.h:
lib/wire/wire.h:
