previous build
