build-x/obj/lib/core/version.o: lib/core/version.c lib/core/version.h \
 build-x/gen/dx_version.h
lib/core/version.h:
build-x/gen/dx_version.h:
