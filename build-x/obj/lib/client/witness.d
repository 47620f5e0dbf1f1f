build-x/obj/lib/client/witness.o: lib/client/witness.c \
 lib/client/witness.h lib/client/client.h build-x/gen/dx.pb-c.h \
 lib/core/err.h lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h \
 lib/tlog/checkpoint.h lib/crypto/crypto.h lib/tlog/merkle.h \
 lib/core/dxtime.h lib/core/encode.h lib/core/fileio.h lib/wire/wire.h
lib/client/witness.h:
lib/client/client.h:
build-x/gen/dx.pb-c.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/tlog/checkpoint.h:
lib/crypto/crypto.h:
lib/tlog/merkle.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/fileio.h:
lib/wire/wire.h:
