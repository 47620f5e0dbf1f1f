build-x/obj/lib/crypto/crypto.o: lib/crypto/crypto.c lib/crypto/crypto.h \
 lib/core/err.h
lib/crypto/crypto.h:
lib/core/err.h:
