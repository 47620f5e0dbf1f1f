build-x/obj/agents/admin_journal.o: agents/admin_journal.c agents/admin.h \
 lib/core/dxtime.h lib/store/journal.h lib/crypto/crypto.h lib/core/err.h \
 lib/store/pool.h lib/store/pool.h lib/store/store.h
agents/admin.h:
lib/core/dxtime.h:
lib/store/journal.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/store/pool.h:
lib/store/pool.h:
lib/store/store.h:
