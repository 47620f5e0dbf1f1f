build-x/obj/lib/store/store_backup.o: lib/store/store_backup.c \
 lib/store/store_int.h lib/store/store.h lib/core/err.h lib/core/fileio.h \
 lib/store/vault.h lib/crypto/crypto.h lib/crypto/master_key.h \
 lib/crypto/keys.h lib/crypto/crypto.h lib/core/names.h
lib/store/store_int.h:
lib/store/store.h:
lib/core/err.h:
lib/core/fileio.h:
lib/store/vault.h:
lib/crypto/crypto.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
