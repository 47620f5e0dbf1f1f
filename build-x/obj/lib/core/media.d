build-x/obj/lib/core/media.o: lib/core/media.c lib/core/media.h \
 lib/core/err.h
lib/core/media.h:
lib/core/err.h:
