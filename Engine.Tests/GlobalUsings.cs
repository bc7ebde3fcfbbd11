global using System.Numerics;
global using System.Runtime.InteropServices;
global using Xunit;
