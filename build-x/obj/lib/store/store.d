build-x/obj/lib/store/store.o: lib/store/store.c lib/store/store.h \
 lib/core/err.h lib/store/store_int.h lib/core/log.h lib/core/names.h
lib/store/store.h:
lib/core/err.h:
lib/store/store_int.h:
lib/core/log.h:
lib/core/names.h:
