build-x/obj/lib/core/encode.o: lib/core/encode.c lib/core/encode.h \
 lib/core/err.h
lib/core/encode.h:
lib/core/err.h:
