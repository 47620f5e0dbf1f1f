build-x/obj/lib/policy/ytree.o: lib/policy/ytree.c lib/policy/ytree.h \
 lib/core/err.h lib/core/fileio.h
lib/policy/ytree.h:
lib/core/err.h:
lib/core/fileio.h:
