build-x/obj/lib/store/store_journal.o: lib/store/store_journal.c \
 lib/store/store.h lib/core/err.h lib/store/store_int.h
lib/store/store.h:
lib/core/err.h:
lib/store/store_int.h:
