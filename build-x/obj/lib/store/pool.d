build-x/obj/lib/store/pool.o: lib/store/pool.c lib/store/pool.h \
 lib/core/err.h lib/store/pool_int.h lib/core/dxtime.h
lib/store/pool.h:
lib/core/err.h:
lib/store/pool_int.h:
lib/core/dxtime.h:
