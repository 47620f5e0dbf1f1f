build-x/obj/lib/crypto/keys.o: lib/crypto/keys.c lib/crypto/keys.h \
 lib/crypto/crypto.h lib/core/err.h lib/core/names.h lib/core/encode.h
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/core/names.h:
lib/core/encode.h:
