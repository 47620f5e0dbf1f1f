build-x/obj/agents/admin_keys.o: agents/admin_keys.c agents/admin.h \
 lib/store/journal.h lib/crypto/crypto.h lib/core/err.h lib/store/pool.h \
 lib/core/dxtime.h lib/core/encode.h lib/core/fileio.h \
 lib/crypto/master_key.h lib/crypto/keys.h lib/crypto/crypto.h \
 lib/core/names.h lib/store/store.h lib/store/vault.h
agents/admin.h:
lib/store/journal.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/store/pool.h:
lib/core/dxtime.h:
lib/core/encode.h:
lib/core/fileio.h:
lib/crypto/master_key.h:
lib/crypto/keys.h:
lib/crypto/crypto.h:
lib/core/names.h:
lib/store/store.h:
lib/store/vault.h:
