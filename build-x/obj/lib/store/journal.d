build-x/obj/lib/store/journal.o: lib/store/journal.c lib/store/journal.h \
 lib/crypto/crypto.h lib/core/err.h lib/store/pool.h \
 lib/store/journal_int.h lib/store/pool_int.h
lib/store/journal.h:
lib/crypto/crypto.h:
lib/core/err.h:
lib/store/pool.h:
lib/store/journal_int.h:
lib/store/pool_int.h:
