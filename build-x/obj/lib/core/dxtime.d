build-x/obj/lib/core/dxtime.o: lib/core/dxtime.c lib/core/dxtime.h \
 lib/core/err.h
lib/core/dxtime.h:
lib/core/err.h:
