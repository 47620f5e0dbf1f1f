build-x/obj/lib/crypto/master_key.o: lib/crypto/master_key.c \
 lib/crypto/master_key.h lib/core/err.h lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/names.h lib/core/encode.h lib/core/fileio.h
lib/crypto/master_key.h:
lib/core/err.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/core/encode.h:
lib/core/fileio.h:
