build-x/obj/lib/store/journal_trim.o: lib/store/journal_trim.c \
 lib/crypto/crypto.h lib/core/encode.h lib/store/journal.h lib/core/err.h \
 lib/store/pool.h lib/store/journal_int.h lib/store/pool_int.h
lib/crypto/crypto.h:
lib/core/encode.h:
lib/store/journal.h:
lib/core/err.h:
lib/store/pool.h:
lib/store/journal_int.h:
lib/store/pool_int.h:
