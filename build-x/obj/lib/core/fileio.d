build-x/obj/lib/core/fileio.o: lib/core/fileio.c lib/core/fileio.h \
 lib/core/err.h
lib/core/fileio.h:
lib/core/err.h:
