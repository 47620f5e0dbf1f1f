build-x/obj/lib/core/glob.o: lib/core/glob.c lib/core/glob.h \
 lib/core/names.h
lib/core/glob.h:
lib/core/names.h:
