build-x/obj/lib/store/store_staging.o: lib/store/store_staging.c \
 lib/store/store_int.h lib/store/store.h lib/core/err.h
lib/store/store_int.h:
lib/store/store.h:
lib/core/err.h:
