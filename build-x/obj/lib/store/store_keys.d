build-x/obj/lib/store/store_keys.o: lib/store/store_keys.c \
 lib/store/store_int.h lib/store/store.h lib/core/err.h lib/core/names.h
lib/store/store_int.h:
lib/store/store.h:
lib/core/err.h:
lib/core/names.h:
