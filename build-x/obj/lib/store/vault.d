build-x/obj/lib/store/vault.o: lib/store/vault.c lib/store/vault.h \
 lib/crypto/crypto.h lib/core/err.h lib/crypto/master_key.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h lib/core/fileio.h
lib/store/vault.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/core/fileio.h:
